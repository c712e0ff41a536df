"""/v1/public-welfare-posts — public-welfare posts 公益性岗位."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/public-welfare-posts", tags=["public-welfare posts 公益性岗位"])
