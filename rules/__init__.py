"""kerlint's rules, one module per rule. Shipped inside the wheel as `kerlint.rules`.

The registry (kerlint.registry) imports every module here and takes the one Rule subclass it defines.
"""
