import { describe, expect, it } from 'vitest';
import { mcpClientConfig } from './ApiKeysPage';
import { DEFAULT_SCOPES, SCOPES } from '../scopes';

describe('API keys page', () => {
  it('lists every scope once, read-only by default', () => {
    const names = SCOPES.map((s) => s.scope);
    expect(names).toEqual(['tickets:read', 'tickets:write', 'conversations:read', 'kb:read', 'kb:write', 'admin']);
    expect(DEFAULT_SCOPES).toEqual(['tickets:read']);
  });

  it('configures mcp-remote with the key in an env header', () => {
    const cfg = JSON.parse(mcpClientConfig('https://support.example.com/mcp'));
    const server = cfg.mcpServers.handoff;
    expect(server.args).toEqual(['-y', 'mcp-remote', 'https://support.example.com/mcp', '--header', 'Authorization:${HANDOFF_API_KEY}']);
    expect(server.env.HANDOFF_API_KEY).toMatch(/^Bearer hk_/);
    expect(JSON.parse(mcpClientConfig('http://localhost:8080/mcp')).mcpServers.handoff.args).toContain('--allow-http');
  });
});
