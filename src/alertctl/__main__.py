from alertctl.cli.app import main

main()
