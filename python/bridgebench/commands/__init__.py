"""`python -m bridgebench <command>`: one file per subcommand."""
