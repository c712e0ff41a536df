"""衢州市人社 职业技能 Training service service."""
