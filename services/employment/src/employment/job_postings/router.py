"""/v1/job-postings — job postings 岗位发布与匹配."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/job-postings", tags=["job postings 岗位发布与匹配"])
