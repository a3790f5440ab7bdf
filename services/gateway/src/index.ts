export { type AppDeps, buildApp } from './app.ts';
export { createTokenVerifier } from './auth/verify-token.ts';
export { type GatewayConfig, loadConfig } from './config.ts';
