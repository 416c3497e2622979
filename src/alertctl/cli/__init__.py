"""The command line: parse, call one service, render. No SQL, no rules."""
