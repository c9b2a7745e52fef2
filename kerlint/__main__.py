from kerlint.cli import main

raise SystemExit(main())
