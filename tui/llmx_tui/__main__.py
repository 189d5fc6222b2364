from llmx_tui.cli import main

raise SystemExit(main())
