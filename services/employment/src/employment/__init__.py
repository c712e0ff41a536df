"""就业 employment service: employers, job seekers, employment and unemployment registrations."""
