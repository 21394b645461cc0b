/* The wall screen's map functions, beside the safety map's (safety_map.js loads first).
   A case that arrived while the wall was watching pulses for PULSE_MS from the moment this
   browser first drew it; one loaded with the page does not. */
(function () {
  var PULSE_MS = 60000;
  var STATE_COLOUR = {open: '#ffb74d', overdue: '#ff5252', closed: '#90a4ae'};
  var firstSeen = {};

  function forgetOld(now) {
    for (var id in firstSeen) {
      if (now - firstSeen[id] > PULSE_MS) { delete firstSeen[id]; }
    }
  }

  function livePoint(feature, latlng, context) {
    var p = feature.properties || {}, now = Date.now();
    var colour = STATE_COLOUR[p.state] || '#ffb74d';
    if (p['new']) {
      if (!(p.id in firstSeen)) { firstSeen[p.id] = now; }
      var age = now - firstSeen[p.id];
      forgetOld(now);
      if (age < PULSE_MS) {
        // A negative delay keeps the pulse's phase when the layer is drawn again.
        var html = '<span class="pulse" data-id="' + Number(p.id) + '" style="animation-delay:-' + age +
          'ms;background:' + colour + '"></span>';
        return L.marker(latlng, {
          icon: L.divIcon({className: 'live-new', html: html, iconSize: [18, 18]}),
          interactive: false, keyboard: false, pane: 'points'
        });
      }
    }
    return L.circleMarker(latlng, {
      radius: (context.hideout || {}).radius || 5, color: '#0b1320', weight: 1,
      fillColor: colour, fillOpacity: 0.85, interactive: false, pane: 'points'
    });
  }

  function focusStyle() {
    // Yellow: the tour's grid is red, and so is the area around it.
    return {color: '#ffd54f', weight: 4, fillColor: '#ffd54f', fillOpacity: 0.3};
  }

  window.safetyMap = window.safetyMap || {};
  window.safetyMap.livePoint = livePoint;
  window.safetyMap.focusStyle = focusStyle;
})();
