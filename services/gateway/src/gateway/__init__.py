"""一卡通 gateway: read models built from every topic, the person view, clients and audit."""
