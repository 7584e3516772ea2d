"""The subcommands of `backprop-tutor`, one module per group; each adds itself to the parser."""
