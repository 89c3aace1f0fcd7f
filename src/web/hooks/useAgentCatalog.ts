// What the agent offers, asked of the server once per connection: the models (for the picker)
// and the slash commands (for the palette). Empty lists until they arrive or when they fail.
import { useEffect, useState } from 'react';
import { CommandsResponse, type ModelInfo, ModelsResponse, type SlashCommandInfo } from '../../protocol/messages';
import { api } from '../rest-client';

export interface AgentCatalog {
  models: ModelInfo[];
  commands: SlashCommandInfo[];
}

export function useAgentCatalog(connected: boolean): AgentCatalog {
  const [catalog, setCatalog] = useState<AgentCatalog>({ models: [], commands: [] });
  const ready = connected;
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void api(ModelsResponse, 'GET', '/api/v1/models')
      .then((r) => live && setCatalog((c) => ({ ...c, models: r.models })))
      .catch(() => undefined);
    void api(CommandsResponse, 'GET', '/api/v1/commands')
      .then((r) => live && setCatalog((c) => ({ ...c, commands: r.commands })))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [ready]);
  return catalog;
}
