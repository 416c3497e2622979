"""SLA clocks: business calendars, GTI and GTR targets, the clock check that raises the four SLA
events, and the readings and reports built on them (docs/rules.md, "SLA clocks")."""
