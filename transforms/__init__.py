"""Pure, typed transforms: parsing, linking, alignment and statistics. No I/O."""
