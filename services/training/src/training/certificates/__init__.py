"""技能等级认定 skill-level certificates."""
