-- The database's clock: the wall's watermark of what it has seen comes from here, not from
-- the web server's clock.
SELECT now()
