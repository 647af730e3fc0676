from backprop_lab.cli import main

main()
