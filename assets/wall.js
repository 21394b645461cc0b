/* The wall screen's map functions, beside the safety map's (safety_map.js loads first).
   A case that arrived while the wall was watching pulses for PULSE_MS from the moment this
   browser first drew it; one loaded with the page does not. */
(function () {
  var PULSE_MS = 60000;
  var STATE_COLOUR = {open: '#ffb74d', overdue: '#ff5252', closed: '#90a4ae'};
  var OVERDUE_RING = {color: '#ff5252', weight: 4, fillColor: '#ff5252', fillOpacity: 0.35};
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

  function focusStyle(feature) {
    // The tour's red grid in yellow (red is all around it), its community's other grids
    // outlined, and everything outside the community dimmed (geo/db/queries/live/red_context.sql).
    var role = (feature && feature.properties || {}).role;
    if (role === 'mask') { return {stroke: false, fillColor: '#0b1320', fillOpacity: 0.6}; }
    if (role === 'neighbour') { return {color: '#ffffff', weight: 1.5, opacity: 0.8, fillOpacity: 0}; }
    if (role === 'overdue') { return OVERDUE_RING; }
    return {color: '#ffd54f', weight: 5, fillColor: '#ffd54f', fillOpacity: 0.15};
  }

  function focusPoint(feature, latlng) {
    // The tour's overdue step: each overdue case ringed, large enough to see across a room.
    return L.circleMarker(latlng, L.extend({radius: 14, interactive: false, pane: 'focus'}, OVERDUE_RING));
  }

  window.safetyMap = window.safetyMap || {};
  window.safetyMap.focusPoint = focusPoint;
  window.safetyMap.livePoint = livePoint;
  window.safetyMap.focusStyle = focusStyle;
})();
