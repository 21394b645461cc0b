from geo.cli import main

if __name__ == "__main__":  # not when a worker process the command starts imports it again
    raise SystemExit(main())
