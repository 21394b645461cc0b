"""What the safety map shows, read from PostGIS: the drill-down units and their shapes, case
figures under the page's filters, risk, key persons as counts only, the heat layer and the
offline basemap. Never imports Dash; the dashboard asks here."""
