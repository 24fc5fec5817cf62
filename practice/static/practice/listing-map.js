/* The listing form's maps: one draggable pin per location, kept in step with its Latitude and Longitude fields.
   Without this file (or without Leaflet) the fields alone place the pin. The words it shows come from the page,
   translated, in the .pin element's data-marker-title, data-marker-alt and data-moved attributes. */
(function () {
  "use strict";
  var STEP_DEGREES = 0.0001; // an arrow key moves the focused pin about 11 m

  function tiles() {
    var element = document.getElementById("map-tiles");
    return element ? JSON.parse(element.textContent) : null;
  }

  function setUp(pin) {
    var latitude = parseFloat(pin.dataset.latitude);
    var longitude = parseFloat(pin.dataset.longitude);
    if (!window.L || isNaN(latitude) || isNaN(longitude)) {
      return;
    }
    var fieldset = pin.closest("fieldset");
    var latitudeInput = fieldset.querySelector('input[name$="-latitude"]');
    var longitudeInput = fieldset.querySelector('input[name$="-longitude"]');
    var status = pin.querySelector(".pin-status");
    var figure = pin.querySelector(".pin-map-figure");
    figure.hidden = false;
    var map = window.L.map(pin.querySelector(".pin-map"), { scrollWheelZoom: false }).setView([latitude, longitude], 16);
    var tileLayer = tiles();
    if (tileLayer) {
      window.L.tileLayer(tileLayer.url, { attribution: tileLayer.attribution, maxZoom: 19 }).addTo(map);
    }
    var marker = window.L.marker([latitude, longitude], {
      draggable: true, keyboard: true, title: pin.dataset.markerTitle, alt: pin.dataset.markerAlt
    }).addTo(map);
    // The page's language formats the numbers the status says; the fields keep the dot the form reads.
    var degrees = new Intl.NumberFormat(document.documentElement.lang || "en", {
      minimumFractionDigits: 6, maximumFractionDigits: 6, useGrouping: false
    });

    function record(point) {
      latitudeInput.value = point.lat.toFixed(6);
      longitudeInput.value = point.lng.toFixed(6);
      // The page's words (data-moved, translated there), with {latitude} and {longitude} in them.
      status.textContent = pin.dataset.moved
        .replace("{latitude}", degrees.format(point.lat))
        .replace("{longitude}", degrees.format(point.lng));
    }

    marker.on("dragend", function () {
      record(marker.getLatLng());
    });
    marker.getElement().addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var move = moves[event.key];
      if (!move) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      var point = marker.getLatLng();
      var moved = window.L.latLng(point.lat + move[0] * STEP_DEGREES, point.lng + move[1] * STEP_DEGREES);
      marker.setLatLng(moved);
      map.panTo(moved);
      record(moved);
    });
    [latitudeInput, longitudeInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var typed = window.L.latLng(parseFloat(latitudeInput.value), parseFloat(longitudeInput.value));
        if (!isNaN(typed.lat) && !isNaN(typed.lng)) {
          marker.setLatLng(typed);
          map.panTo(typed);
        }
      });
    });
  }

  document.querySelectorAll(".pin").forEach(function (pin) {
    try {
      setUp(pin);
    } catch (error) {
      pin.querySelector(".pin-map-figure").hidden = true; // the fields still work
    }
  });
})();
