"""The reporting contract as data: the quality rule catalog (`rules.yml`) and its loader."""
