# Hub image: builds the hub and the web app, then runs them on a slim Node 20 base.
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NX_DAEMON=false NX_NO_CLOUD=true NG_CLI_ANALYTICS=false
RUN npx nx run-many -t build -p api web --configuration=production \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /opt/tyto
ENV NODE_ENV=production TYTO_DATA_DIR=/var/lib/tyto TYTO_PORT=8080
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# 0700 as the hub would make it itself: the database holds password and session hashes, pki/
# the agent CA key. pki/ exists in the image so that a volume mounted there (replicas share one,
# docker-compose.ha.yml) starts out owned by node.
RUN mkdir -p /var/lib/tyto/pki && chown -R node:node /var/lib/tyto \
 && chmod 0700 /var/lib/tyto /var/lib/tyto/pki
USER node
# 8080: UI and API; 8443: the agent listener (enrollment and the mutual-TLS channel).
EXPOSE 8080 8443
VOLUME /var/lib/tyto
# Readiness, not just liveness: unhealthy while the hub cannot reach its database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD node -e "fetch('http://127.0.0.1:8080/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/api/main.js"]
