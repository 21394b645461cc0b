from dashboard.app import main

raise SystemExit(main())
