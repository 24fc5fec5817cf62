/* The unmet-demand map: a circle per area, growing with its count. Without this file the table says it all. */
(function () {
  "use strict";
  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var areas = readJSON("demand-data");
    var figure = document.querySelector(".demand-figure");
    if (!window.L || !figure || !areas || areas.length === 0) {
      return;
    }
    figure.hidden = false;
    var map = window.L.map("demand-map", { scrollWheelZoom: false });
    var tiles = readJSON("map-tiles");
    if (tiles) {
      window.L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 18 }).addTo(map);
    }
    var most = Math.max.apply(null, areas.map(function (area) { return area.searches; }));
    var bounds = [];
    areas.forEach(function (area) {
      var point = [area.latitude, area.longitude];
      var circle = window.L.circleMarker(point, {
        radius: 5 + 20 * Math.sqrt(area.searches / most), color: "#a4161a", weight: 2, fillOpacity: 0.4
      }).bindTooltip(area.area + ": " + area.searches + " search" + (area.searches === 1 ? "" : "es") +
        ", last " + area.last_seen);
      // A hover hint, not a Tab stop: the table beside the map says the same to a keyboard or screen reader.
      // Set once the map has a view and draws the circle ("add").
      circle.on("add", function () {
        circle.getElement().setAttribute("tabindex", "-1");
        circle.getElement().setAttribute("aria-hidden", "true");
      }).addTo(map);
      bounds.push(point);
    });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 10 });
  });
})();
