import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseSettings } from './config.ts';

test('defaults: embedded database in ./data on 127.0.0.1:8080', () => {
  const s = parseSettings({});
  assert.equal(s.databaseUrl, null);
  assert.equal(s.dataDir, './data');
  assert.equal(s.host, '127.0.0.1');
  assert.equal(s.port, 8080);
  assert.equal(s.logLevel, 'info');
  assert.equal(s.env, 'development');
  assert.equal(s.secretKey, null);
});

test('reads every variable', () => {
  const s = parseSettings({
    HALITE_DATABASE_URL: 'postgres://u@db:5432/halite',
    HALITE_DATA_DIR: '/data',
    HALITE_SECRET_KEY: 'k'.repeat(40),
    HALITE_HOST: '0.0.0.0',
    HALITE_PORT: '9000',
    HALITE_LOG_LEVEL: 'debug',
    HALITE_COOKIE_SECURE: 'true',
  });
  assert.equal(s.databaseUrl, 'postgres://u@db:5432/halite');
  assert.equal(s.port, 9000);
  assert.equal(s.logLevel, 'debug');
  assert.equal(s.cookieSecure, true);
});

test('a bad value names the variable and the problem', () => {
  assert.throws(() => parseSettings({ HALITE_PORT: 'eighty' }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /HALITE_PORT must be a number/);
    return true;
  });
  assert.throws(() => parseSettings({ HALITE_PORT: '70000' }), /HALITE_PORT must be between 0 and 65535/);
  assert.throws(() => parseSettings({ HALITE_DATABASE_URL: 'mysql://x' }), /HALITE_DATABASE_URL must be a postgres/);
  assert.throws(() => parseSettings({ HALITE_LOG_LEVEL: 'loud' }), /HALITE_LOG_LEVEL must be one of debug, info, warn, error/);
  assert.throws(() => parseSettings({ HALITE_SECRET_KEY: 'short' }), /HALITE_SECRET_KEY must be at least 32 characters/);
});

test('production refuses to start without a secret key', () => {
  assert.throws(() => parseSettings({ NODE_ENV: 'production' }), /HALITE_SECRET_KEY is required in production/);
  assert.doesNotThrow(() => parseSettings({ NODE_ENV: 'production', HALITE_SECRET_KEY: 'x'.repeat(32) }));
});

test('empty strings count as unset', () => {
  assert.equal(parseSettings({ HALITE_PORT: '', HALITE_DATABASE_URL: '' }).port, 8080);
});
