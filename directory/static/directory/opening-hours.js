/* "Open now, closes 5:30 pm" / "Closed, opens Tue 9:00 am" for each element with data-opening-hours, read from
   the browser's clock on the clinic's own clock (its IANA zone, through Intl.DateTimeFormat), worded as
   directory/hours.py status_at() words it. The server never sends the status: a cached page would go stale.
   Without this file the profile's week table stands alone and the result card says nothing about hours. */
(function () {
  "use strict";

  var DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  var ABBREVIATIONS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MIDNIGHT = 24 * 60;
  var LOOKAHEAD_DAYS = 62;
  var DAY_MS = 24 * 3600 * 1000;

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
    if (value === MIDNIGHT) { return "midnight"; }
    var hour = Math.floor(value / 60);
    var minute = value % 60;
    return ((hour + 11) % 12 + 1) + ":" + (minute < 10 ? "0" : "") + minute + " " + (hour < 12 ? "am" : "pm");
  }

  function when(ahead, day) {
    if (ahead === 0) { return ""; }
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
    if (closes === MIDNIGHT && ahead === 7) { return "open all week"; }
    return "closes " + when(ahead, today + ahead * DAY_MS) + timeShown(closes);
  }

  function status(hours, now) {
    var clock = wallClock(hours.zone, now);
    var today = clock.day;
    var current = intervalsOn(hours, today).filter(function (interval) {
      return interval.opens <= clock.minute && clock.minute < interval.closes;
    })[0];
    if (current) { return "Open now, " + closing(hours, today, current); }
    var exception = exceptionOn(hours, today);
    if (exception && !exception.hours.length) { return "Closed today (holiday)"; }
    for (var ahead = 0; ahead <= LOOKAHEAD_DAYS; ahead++) {
      var day = today + ahead * DAY_MS;
      var later = intervalsOn(hours, day).filter(function (interval) {
        return ahead > 0 || interval.opens > clock.minute;
      });
      if (later.length) { return "Closed, opens " + when(ahead, day) + timeShown(later[0].opens); }
    }
    return "Closed";
  }

  /* The week table's "today", on the clinic's clock (the server marked it when the page was made). */
  function markToday(element, hours, now) {
    var today = DAYS[weekday(wallClock(hours.zone, now).day)];
    element.querySelectorAll("tr[data-day]").forEach(function (row) {
      var isToday = row.getAttribute("data-day") === today;
      row.classList.toggle("today", isToday);
      var mark = row.querySelector(".today-mark");
      if (mark) { mark.textContent = isToday ? " (today)" : ""; }
    });
  }

  function show(element, now) {
    var hours;
    try {
      hours = JSON.parse(element.getAttribute("data-opening-hours"));
      hours.exceptions = hours.exceptions || [];
      var text = status(hours, now);
      var target = element.classList.contains("opening-status") ? element : element.querySelector(".opening-status");
      if (target && target.textContent !== text) { target.textContent = text; }
      if (target) {
        target.classList.toggle("is-open", text.indexOf("Open") === 0);
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
