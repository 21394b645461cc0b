"""The case loop (issue 23): moving cases through their states, deadlines, escalation and the
project's own scheduler. The rules live in the database (migration 0033); this package calls
them and words their refusals."""
