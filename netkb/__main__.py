from netkb.cli import main

main()
