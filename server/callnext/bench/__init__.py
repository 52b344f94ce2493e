"""Tools that measure: `callnext bench` (load, floor, displays), the claim, voice and print
benchmarks, and the simulated day."""
