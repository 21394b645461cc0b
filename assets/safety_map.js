/* Functions the safety map's GeoJSON layers call (dash-leaflet "functional props"). The page
   sends geometry once per drill step; colours, labels and figures arrive in the layer's small
   `hideout` table, so a filter change restyles the map without resending a shape. Every text
   from the data is escaped before it reaches the page. */
(function () {
  var RISK = {red: '#d7301f', orange: '#fc8d59', yellow: '#fdd835', blue: '#6fa8dc'};
  var NO_DATA = '#e6e6e6';

  function escapeHtml(value) {
    return String(value == null ? '' : value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function binColour(x, breaks, colours) {
    if (x == null) { return NO_DATA; }
    for (var i = 0; i < breaks.length; i++) {
      if (x <= breaks[i]) { return colours[i]; }
    }
    return colours[colours.length - 1];
  }

  function valuesOf(feature, hideout) {
    return ((hideout || {}).values || {})[feature.properties.code] || {};
  }

  function fillOf(v, h) {
    if (h.metric === 'risk') { return RISK[v.lv] || NO_DATA; }
    var x = h.metric === 'persons' ? v.p : v.c;
    if (h.metric === 'cases' && x == null) { x = 0; }
    return binColour(x, h.breaks || [], h.colours || [NO_DATA]);
  }

  function areaStyle(feature, context) {
    var h = context.hideout || {};
    var selected = h.selected && h.selected === feature.properties.code;
    return {
      fillColor: fillOf(valuesOf(feature, h), h),
      fillOpacity: h.heat ? 0.25 : (selected ? 0.8 : 0.6),
      color: selected ? '#102a43' : '#ffffff', weight: selected ? 3.5 : 1.4, opacity: 1
    };
  }

  function detail(feature, h) {
    var v = valuesOf(feature, h), w = h.words || {};
    var lines = ['<b>' + escapeHtml(feature.properties.name) + '</b>',
                 '<span class="code">' + escapeHtml(feature.properties.code) + '</span>'];
    if (v.rr != null) {  // the relative risk: "风险为典型的 12.3 倍 · 红"
      lines.push(escapeHtml(w.risk).replace('{risk}', v.rr.toFixed(1)) + ' · ' + escapeHtml((w.levels || {})[v.lv] || ''));
    }
    lines.push(escapeHtml(w.cases) + ' ' + (v.c || 0) + ' · ' + escapeHtml(w.overdue) + ' ' + (v.o || 0));
    if ('p' in v) {
      lines.push(escapeHtml(w.persons) + ' ' + (v.p == null ? escapeHtml(w.suppressed) : v.p));
    }
    return lines.join('<br>');
  }

  /* A permanent label with the area's name; hovering turns it into the area's card. */
  function areaLabel(feature, layer, context) {
    var name = escapeHtml(feature.properties.name), at = feature.properties.at;
    if (at) {
      // Leaflet puts a polygon's tooltip at its centroid, outside a concave shape.
      layer.getCenter = function () { return L.latLng(at[0], at[1]); };
    }
    layer.bindTooltip(name, {permanent: true, direction: 'center', className: 'area-label', opacity: 1});
    layer.on('mouseover', function () {
      layer.setTooltipContent(detail(feature, context.hideout || {}));
      var el = layer.getTooltip().getElement();
      if (el) { el.classList.add('area-card'); }
      layer.setStyle({weight: 3.5, color: '#102a43'});
    });
    layer.on('mouseout', function () {
      layer.setTooltipContent(name);
      var el = layer.getTooltip().getElement();
      if (el) { el.classList.remove('area-card'); }
      layer.setStyle(areaStyle(feature, context));
    });
  }

  /* SVG, not the map's canvas: an SVG layer lets clicks between its points through to the
     areas below, where a canvas on top would swallow them. */
  var svgRenderer = null;

  function pointMarker(feature, latlng, context) {
    var h = context.hideout || {};
    var colours = h.colours || {};  // by state and by layer (dashboard/components/map_views.py)
    var colour = colours[feature.properties.state] || colours[h.layer] || '#455a64';
    svgRenderer = svgRenderer || L.svg({pane: 'points'});
    var marker = L.circleMarker(latlng, {
      radius: h.radius || 5, color: '#ffffff', weight: 1, fillColor: colour, fillOpacity: 0.9,
      pane: 'points', renderer: svgRenderer
    });
    var words = h.words || {};
    var title = feature.properties.name || feature.properties.code;
    var kind = (words.kinds || {})[feature.properties.category || feature.properties.kind] || '';
    var state = (words.states || {})[feature.properties.state] || '';
    marker.bindTooltip([escapeHtml(title), escapeHtml(kind), escapeHtml(state)].filter(Boolean).join('<br>'));
    return marker;
  }

  function outlineStyle() {  // the micro-grid around a micro-grid's or a building's buildings
    return {color: '#102a43', weight: 3, dashArray: '8 5', fill: false};
  }

  /* The feature of a FeatureCollection whose (multi)polygon contains [lat, lng]: a click
     anywhere on the map, through the heat image or a case point, drills into that child. */
  function insideRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  function insidePolygon(x, y, rings) {
    if (!insideRing(x, y, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) {
      if (insideRing(x, y, rings[k])) { return false; }
    }
    return true;
  }

  function featureAt(latlng, collection) {
    var x = Array.isArray(latlng) ? latlng[1] : latlng.lng, y = Array.isArray(latlng) ? latlng[0] : latlng.lat;
    var features = (collection || {}).features || [];
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry || {};
      var polygons = g.type === 'Polygon' ? [g.coordinates] : (g.type === 'MultiPolygon' ? g.coordinates : []);
      for (var p = 0; p < polygons.length; p++) {
        if (insidePolygon(x, y, polygons[p])) { return features[i]; }
      }
    }
    return null;
  }

  window.safetyMap = {
    escapeHtml: escapeHtml, areaStyle: areaStyle, outlineStyle: outlineStyle, areaLabel: areaLabel, pointMarker: pointMarker,
    featureAt: featureAt
  };
})();
