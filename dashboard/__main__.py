from dashboard.app import main

if __name__ == "__main__":  # not when a worker process imports it again
    raise SystemExit(main())
