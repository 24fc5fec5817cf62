/* "Open now, closes 5:30 pm" / "Closed, opens Tue 9:00 am" for each element with data-opening-hours, read from
   the browser's clock on the clinic's own clock (its IANA zone, through Intl.DateTimeFormat), worded as
   directory/hours.py status_at() words it. The server never sends the status: a cached page would go stale.
   Without this file the profile's week table stands alone and the result card says nothing about hours.
   The words come from the page (<template id="opening-hours-words">, in the page's language); in a language other
   than English, times and dates are written by Intl in the language of <html lang>. */
(function () {
  "use strict";

  var DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  var ABBREVIATIONS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MIDNIGHT = 24 * 60;
  var LOOKAHEAD_DAYS = 62;
  var DAY_MS = 24 * 3600 * 1000;
  var LANGUAGE = document.documentElement.lang || "en";
  var ENGLISH = LANGUAGE.toLowerCase().indexOf("en") === 0;
  var WORDS = document.getElementById("opening-hours-words");

  /* The page's words for `name` (English without them), "{key}" filled from `values`. */
  function word(name, english, values) {
    var text = (WORDS && WORDS.getAttribute("data-" + name)) || english;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function formatUTC(day, options) {
    options.timeZone = "UTC";
    return new Intl.DateTimeFormat(LANGUAGE, options).format(new Date(day));
  }

  function minutes(clock) {
    var parts = clock.split(":");
    return Number(parts[0]) * 60 + Number(parts[1]);
  }

  function intervals(stored) {
    return (stored || []).map(function (interval) {
      var closes = minutes(interval.closes);
      return { opens: minutes(interval.opens), closes: closes === 0 ? MIDNIGHT : closes };
    });
  }

  /* The date (as UTC midnight, in ms) and the minute of the day on the wall clock in `zone` at `now`. */
  function wallClock(zone, now) {
    var parts = {};
    var format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    format.formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
    var hour = Number(parts.hour) % 24;  // some engines write midnight as 24
    return {
      day: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)),
      minute: hour * 60 + Number(parts.minute)
    };
  }

  function weekday(day) {
    return (new Date(day).getUTCDay() + 6) % 7;  // Monday 0
  }

  function isoDate(day) {
    return new Date(day).toISOString().slice(0, 10);
  }

  function exceptionOn(hours, day) {
    var iso = isoDate(day);
    for (var i = 0; i < hours.exceptions.length; i++) {
      var exception = hours.exceptions[i];
      if (exception.start <= iso && iso <= exception.end) { return exception; }
    }
    return null;
  }

  function intervalsOn(hours, day) {
    var exception = exceptionOn(hours, day);
    return intervals(exception ? exception.hours : hours.week[DAYS[weekday(day)]]);
  }

  function timeShown(value) {
    if (value === MIDNIGHT) { return word("midnight", "midnight"); }
    var hour = Math.floor(value / 60);
    var minute = value % 60;
    if (!ENGLISH) { return formatUTC(Date.UTC(2000, 0, 3, hour, minute), { hour: "numeric", minute: "2-digit" }); }
    return ((hour + 11) % 12 + 1) + ":" + (minute < 10 ? "0" : "") + minute + " " + (hour < 12 ? "am" : "pm");
  }

  function when(ahead, day) {
    if (ahead === 0) { return ""; }
    if (!ENGLISH) {
      return formatUTC(day, ahead < 7 ? { weekday: "short" } : { month: "short", day: "numeric" }) + " ";
    }
    if (ahead < 7) { return ABBREVIATIONS[weekday(day)] + " "; }
    var date = new Date(day);
    return MONTHS[date.getUTCMonth()] + " " + date.getUTCDate() + " ";
  }

  function closing(hours, today, current) {
    var closes = current.closes;
    var ahead = 0;
    while (closes === MIDNIGHT && ahead < 7) {
      var following = intervalsOn(hours, today + (ahead + 1) * DAY_MS);
      if (!following.length || following[0].opens !== 0) { break; }
      closes = following[0].closes;
      ahead += 1;
    }
    if (closes === MIDNIGHT && ahead === 7) { return word("open-all-week", "open all week"); }
    return word("closes", "closes {when}{time}", { when: when(ahead, today + ahead * DAY_MS), time: timeShown(closes) });
  }

  /* The status's words, and whether the clinic is open. */
  function status(hours, now) {
    var clock = wallClock(hours.zone, now);
    var today = clock.day;
    var current = intervalsOn(hours, today).filter(function (interval) {
      return interval.opens <= clock.minute && clock.minute < interval.closes;
    })[0];
    if (current) {
      return { open: true, text: word("open-now", "Open now, {closing}", { closing: closing(hours, today, current) }) };
    }
    var exception = exceptionOn(hours, today);
    if (exception && !exception.hours.length) {
      return { open: false, text: word("closed-holiday", "Closed today (holiday)") };
    }
    for (var ahead = 0; ahead <= LOOKAHEAD_DAYS; ahead++) {
      var day = today + ahead * DAY_MS;
      var later = intervalsOn(hours, day).filter(function (interval) {
        return ahead > 0 || interval.opens > clock.minute;
      });
      if (later.length) {
        var opens = { when: when(ahead, day), time: timeShown(later[0].opens) };
        return { open: false, text: word("closed-opens", "Closed, opens {when}{time}", opens) };
      }
    }
    return { open: false, text: word("closed", "Closed") };
  }

  /* The week table's "today", on the clinic's clock (the server marked it when the page was made). */
  function markToday(element, hours, now) {
    var today = DAYS[weekday(wallClock(hours.zone, now).day)];
    element.querySelectorAll("tr[data-day]").forEach(function (row) {
      var isToday = row.getAttribute("data-day") === today;
      row.classList.toggle("today", isToday);
      var mark = row.querySelector(".today-mark");
      if (mark) { mark.textContent = isToday ? " (" + word("today", "today") + ")" : ""; }
    });
  }

  function show(element, now) {
    var hours;
    try {
      hours = JSON.parse(element.getAttribute("data-opening-hours"));
      hours.exceptions = hours.exceptions || [];
      var shown = status(hours, now);
      var text = shown.text;
      var target = element.classList.contains("opening-status") ? element : element.querySelector(".opening-status");
      if (target && target.textContent !== text) { target.textContent = text; }
      if (target) {
        target.classList.toggle("is-open", shown.open);
        target.hidden = false;
      }
      markToday(element, hours, now);
    } catch (error) {
      return;  // a zone this browser does not know: the week table still says it all
    }
    element.openingHoursShown = true;
  }

  function showAll(onlyNew) {
    var now = new Date();
    document.querySelectorAll("[data-opening-hours]").forEach(function (element) {
      if (!onlyNew || !element.openingHoursShown) { show(element, now); }
    });
  }

  if (!window.Intl || !Intl.DateTimeFormat.prototype.formatToParts) { return; }
  showAll(false);
  // Results that update in place (site.js) bring new cards; the minutes pass on a page left open.
  if (window.MutationObserver) {
    new MutationObserver(function () { showAll(true); }).observe(document.body, { childList: true, subtree: true });
  }
  window.setInterval(function () { showAll(false); }, 60 * 1000);
})();
