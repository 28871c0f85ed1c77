from clinlead.cli import main

main()
