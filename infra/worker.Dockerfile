# The worker image for docker-compose / Kubernetes. Not built on the build machines (no Docker
# engine there); kept minimal and in step with package.json.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production DAG_DATA_DIR=/data
VOLUME /data
USER node
CMD ["node", "bin/dag", "worker"]
