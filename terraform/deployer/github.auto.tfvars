# The GitHub repository whose workflows deploy (a fork changes this line).
github_repository = "durable-deploy/durable-deploy"
