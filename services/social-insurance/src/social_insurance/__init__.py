"""衢州市人社 社会保险 Social insurance service service."""
