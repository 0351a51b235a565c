# syntax=docker/dockerfile:1
# Multi-stage: build with every dependency, run without the build/test tools, as a non-root user.

# Node 24 LTS, inside package.json's engines (^22.13.0 || >=24.11.0) and the version CI tests first.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# No compiler toolchain: nothing is built natively (the development database is sql.js, WebAssembly).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
# No `npm prune --omit=dev`: the package's own peers (@nestjs/*, typeorm, ioredis, …) and everything
# only this server needs (platform-fastify, config, terminus, swagger, mysql2, sql.js, pino, …)
# are devDependencies now, so that a consumer of the npm package does not install them; a prune would
# strip the server's runtime. Instead remove just the build, test and lint tools by name. If a new
# tool is added to devDependencies and not listed here, the image only gets bigger, never broken.
RUN npm run build && npm uninstall --no-save --ignore-scripts --no-audit --no-fund \
      typescript typescript-eslint eslint @eslint/js globals prettier \
      jest ts-jest @jest/globals @types/node autocannon playwright-core miniprogram-api-typings

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
RUN mkdir -p /app/data/avatars && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec form: node is PID 1 and receives SIGTERM directly for the graceful shutdown. The young generation is
# capped at Node 20's default (16 MB): Node 24 sizes it far larger, which took RSS to ~280 MB and, against
# the 128 MB old space, made GC eat the login's CPU (~3 ms per login instead of ~0.9; docs/performance.md).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=16", "--no-allocation-site-pretenuring", "dist/src/main.js"]
