"""Users, roles, jurisdictions and login sessions of the dashboard."""
