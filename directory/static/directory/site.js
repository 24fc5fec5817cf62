/* Progressive enhancement for the directory's pages. Everything works without this file: it adds the maps,
   "Use my location", and search results that update in place (keeping the URL shareable). */
(function () {
  "use strict";

  /* Words the page wrote in its own language (data-* attributes on the element with `id`), English without them;
     "{name}" in them is filled from `values`. */
  function words(id, name, english, values) {
    var element = document.getElementById(id);
    var text = (element && element.getAttribute("data-" + name)) || english;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function addTiles(map) {
    var tiles = readJSON("map-tiles");
    if (tiles) {
      window.L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 18 }).addTo(map);
    }
  }

  /* ---- the results map: numbered like the list, plus the search origin ---- */
  var resultsMap = null;
  var markerLayer = null;

  function unfocusable(layer) {
    var element = layer.getElement();
    element.setAttribute("tabindex", "-1");
    element.setAttribute("aria-hidden", "true");
  }

  function popupFor(marker) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.number + ". " + marker.name;
    var clinic = document.createElement("div");
    clinic.textContent = marker.clinic;
    box.appendChild(link);
    box.appendChild(clinic);
    return box;
  }

  function drawResultsMap() {
    var panel = document.getElementById("map-panel");
    if (!panel) {
      return;
    }
    var data = readJSON("map-data");
    if (!window.L || !data || data.markers.length === 0) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    try {
      if (!resultsMap) {
        resultsMap = window.L.map("map", { scrollWheelZoom: false });
        addTiles(resultsMap);
        markerLayer = window.L.layerGroup().addTo(resultsMap);
      }
      markerLayer.clearLayers();
      var bounds = [];
      if (data.origin) {
        var origin = [data.origin.latitude, data.origin.longitude];
        var circle = window.L.circleMarker(origin, { radius: 8, color: "#a4161a", weight: 3, fillOpacity: 0.6 })
          .bindTooltip(words("map-panel", "your-search", "Your search: {place}", { place: data.origin.label }));
        // Drawn once the map has a view ("add"): a hover hint, not a Tab stop; the heading names the place.
        circle.on("add", function () { unfocusable(circle); }).addTo(markerLayer);
        bounds.push(origin);
      }
      data.markers.forEach(function (marker) {
        var point = [marker.latitude, marker.longitude];
        var icon = window.L.divIcon({ className: "map-number", html: String(marker.number), iconSize: [28, 28] });
        var pin = window.L.marker(point, { icon: icon, title: marker.number + ". " + marker.name, alt: marker.name })
          .bindPopup(popupFor(marker));
        // A number drawn in a div is announced as its text ("1"); the name says whose pin it is.
        var label = [marker.number + ". " + marker.name, marker.clinic].filter(Boolean).join(", ");
        pin.on("add", function () { pin.getElement().setAttribute("aria-label", label); }).addTo(markerLayer);
        bounds.push(point);
      });
      resultsMap.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
    } catch (error) {
      panel.hidden = true; // the list is complete on its own
    }
  }

  /* ---- the small maps on a profile page ---- */
  function drawMiniMaps() {
    if (!window.L) {
      return;
    }
    document.querySelectorAll(".mini-map").forEach(function (element) {
      var point = [parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude)];
      element.parentElement.hidden = false;
      var map = window.L.map(element, {
        dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
        keyboard: false, touchZoom: false, zoomControl: false
      }).setView(point, 14);
      addTiles(map);
      window.L.marker(point, { keyboard: false, interactive: false, alt: element.dataset.label }).addTo(map);
    });
  }

  /* ---- search results that update in place ---- */
  var form = document.querySelector("form.search-form");
  var results = document.getElementById("results");
  var latestRequest = 0;

  function urlFromForm() {
    var params = new URLSearchParams(new FormData(form));
    return form.action + "?" + params.toString();
  }

  function announce(text) {
    var status = document.getElementById("results-status");
    if (status) {
      status.textContent = text;
    }
  }

  function syncFormWithUrl() {
    var params = new URLSearchParams(window.location.search);
    form.elements.near.value = params.get("near") || "";
    ["radius", "unit"].forEach(function (name) {
      var value = params.get(name);
      if (value !== null && form.elements[name].querySelector('option[value="' + CSS.escape(value) + '"]')) {
        form.elements[name].value = value;
      }
    });
    var accepting = form.elements.accepting_new_patients;
    if (accepting) {
      accepting.checked = params.get("accepting_new_patients") === "true";
    }
    var chosen = params.getAll("technique");
    form.querySelectorAll('input[name="technique"]').forEach(function (box) {
      box.checked = chosen.indexOf(box.value) !== -1;
    });
  }

  function showResults(url, push) {
    var request = ++latestRequest;
    results.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status); // errors are shown by a full page load
        }
        return response.text();
      })
      .then(function (html) {
        if (request !== latestRequest) {
          return; // a newer search has started
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        results.innerHTML = page.getElementById("results").innerHTML;
        document.title = page.title;
        document.getElementById("page-heading").textContent = page.getElementById("page-heading").textContent;
        var summary = document.getElementById("search-summary");
        var newSummary = page.getElementById("search-summary");
        if (summary && newSummary) {
          summary.replaceWith(newSummary);
        }
        results.removeAttribute("aria-busy");
        if (push) {
          window.history.pushState({ search: true }, "", url);
        }
        var heading = document.getElementById("results-heading");
        announce(heading ? heading.textContent.replace(/\s+/g, " ").trim() : "");
        drawResultsMap();
      })
      .catch(function () {
        window.location.assign(url);
      });
  }

  function submitSearch() {
    if (results && window.fetch && window.history.pushState) {
      showResults(urlFromForm(), true);
    } else {
      form.submit();
    }
  }

  if (form && results && window.fetch && window.history.pushState) {
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name === "radius" || name === "unit" || name === "technique" || name === "accepting_new_patients") {
        submitSearch();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitSearch();
    });
    window.addEventListener("popstate", function () {
      syncFormWithUrl();
      showResults(window.location.href, false);
    });
  }

  /* ---- "Use my location" ---- */
  var locate = document.getElementById("use-location");
  if (form && locate && "geolocation" in navigator) {
    var status = document.getElementById("location-status");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = words("search-form", "finding-location", "Finding your location…");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.near.value =
            position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4);
          status.textContent = "";
          submitSearch();
        },
        function (error) {
          status.textContent = error.code === 1
            ? words("search-form", "location-refused",
              "Your browser did not allow us to use your location. Type a ZIP code, postal code or city instead.")
            : words("search-form", "location-unknown",
              "Your location could not be found. Type a ZIP code, postal code or city instead.");
          form.elements.near.focus();
        },
        { timeout: 15000, maximumAge: 600000 }
      );
    });
  }

  /* ---- on a phone, the technique list starts folded unless something in it is chosen or wrong ---- */
  var techniques = document.querySelector("details.techniques-group");
  if (techniques && window.matchMedia("(max-width: 40rem)").matches &&
      !techniques.querySelector("input:checked") && !techniques.querySelector(".field-errors")) {
    techniques.open = false;
  }

  /* ---- suggestions as you type: the WAI-ARIA combobox pattern (list autocomplete, manual selection) ---- */
  function setUpSuggestions(input) {
    var listbox = document.createElement("ul");
    listbox.id = input.id + "-suggestions";
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", words("search-form", "suggestions-label", "Suggested places"));
    listbox.hidden = true;
    input.parentNode.insertBefore(listbox, input.nextSibling);
    var count = document.createElement("p");
    count.className = "visually-hidden";
    count.setAttribute("role", "status");
    count.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(count, listbox.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      input.value = options[index].dataset.label;
      close();
      count.textContent = "";
      input.focus();
    }

    function show(places) {
      listbox.textContent = "";
      options = places.map(function (place, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var code = place.label.split(" (")[0]; // "02108 (Boston, MA)": the field takes the code alone
        option.dataset.label = /^(\d{5}|[A-Z]\d[A-Z])$/.test(code) ? code : place.label;
        option.textContent = place.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
        });
        option.addEventListener("click", function () {
          choose(i);
        });
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      if (options.length === 0) {
        close();
        count.textContent = words("search-form", "no-suggestions", "No suggestions.");
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      count.textContent = options.length === 1
        ? words("search-form", "one-suggestion", "1 suggestion: use the up and down arrows to choose one.")
        : words("search-form", "suggestions", "{count} suggestions: use the up and down arrows to choose one.",
          { count: options.length.toLocaleString(document.documentElement.lang || undefined) });
    }

    function ask() {
      var text = input.value.trim();
      var request = ++asked;
      if (text.length < 2) {
        close();
        return;
      }
      fetch("/api/v1/places/?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (body) {
          if (request === asked && document.activeElement === input) {
            show(body.results);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          ask();
        } else {
          highlight(active + 1 < options.length ? active + 1 : 0);
        }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : options.length - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // the first Enter chooses; the next one searches
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  var near = document.getElementById("id_near");
  if (near && window.fetch) {
    setUpSuggestions(near);
  }

  drawResultsMap();
  drawMiniMaps();
})();
