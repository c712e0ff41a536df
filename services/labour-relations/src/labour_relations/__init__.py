"""衢州市人社 劳动关系 Labour relations service service."""
