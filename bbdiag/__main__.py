from bbdiag.cli import main

raise SystemExit(main())
