"""The command line, the benchmarks, the voice and the printer, the docs kept true."""
