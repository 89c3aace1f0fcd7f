// The chat app: wires the state, the connection and the routing to the components.
// Each concern lives in its own hook (hooks/) and each part of the state in its own
// reducer (state/).
import { lazy, Suspense, useCallback, useReducer, useRef, useState } from 'react';
import { sessionApi } from './api';
import './App.css';
import type { BootParams } from './boot';
import { AgentControls } from './components/AgentControls';
import { type BannerAction, Banners } from './components/Banners';
import { ChatEmpty } from './components/ChatEmpty';
import { Composer, type ComposerHandle } from './components/Composer';
import { CreatingProgress } from './components/CreatingProgress';
import { EndedCard } from './components/EndedCard';
import { ExportMenu } from './components/ExportMenu';
import { MessageActionsContext } from './components/MessageActions';
import { PermissionDock } from './components/PermissionCard';
import { ArchivedSessions } from './components/SessionArchive';
import { SessionList } from './components/SessionList';
import { SessionSearch } from './components/SessionSearch';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { SignInPage } from './components/SignInPage';
import { TopBar } from './components/TopBar';
import { Transcript } from './components/Transcript';
import { WorkspaceButton } from './components/WorkspaceButton';
import { WorkspacePanel } from './components/WorkspacePanel';
import { useAgentActions } from './hooks/useAgentActions';
import { useChatConnection } from './hooks/useChatConnection';
import { useComposerFocus } from './hooks/useComposerFocus';
import { useLogin } from './hooks/useLogin';
import { useNotifications } from './hooks/useNotifications';
import { useOutbox } from './hooks/useOutbox';
import { usePage } from './hooks/usePage';
import { usePhoneMenu } from './hooks/usePhoneMenu';
import { useRemembered } from './hooks/useRemembered';
import { useSessionRouting } from './hooks/useSessionRouting';
import { useShortcuts } from './hooks/useShortcuts';
import { useStamp } from './hooks/useStamp';
import { useTabTitle } from './hooks/useTabTitle';
import { useWorkspaceChanges } from './hooks/useWorkspaceChanges';
import { initialState, reducer } from './state/reducer';
import { emptyTranscript, latestContext } from './state/transcripts';
import type { AnswerExtras, Banner, PermissionDecision, PermissionItem, State } from './state/types';

// Settings and Admin load on demand: most visits are the chat, and the first load stays small.
const SettingsPage = lazy(() => import('./components/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const AdminPage = lazy(() => import('./components/AdminPage').then((m) => ({ default: m.AdminPage })));

const NAV_ID = 'sessions-nav';
/** Tools whose results may have changed files: the workspace refreshes after each. */
const FILE_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'Bash']);

/** Why a message cannot be sent now, or null when it can (the box stays editable either way). */
function blockedReason(state: State): string | null {
  const { status } = state.connection;
  if (status !== 'open') return status === 'reconnecting' ? 'Reconnecting to the server… Your text stays here.' : 'Connecting…';
  if (state.sessions.creating) return 'Starting a session…';
  const current = state.sessions.list.find((s) => s.session_id === state.sessions.currentId);
  if (current?.status === 'terminated' && !current.is_resumable) return 'This session has ended and cannot be resumed';
  return null;
}

export function App({ boot }: { boot: BootParams }) {
  const [state, dispatch] = useReducer(reducer, initialState);
  const stamp = useStamp();
  const login = useLogin();
  const page = usePage();
  const composer = useRef<ComposerHandle>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const menu = usePhoneMenu(NAV_ID, menuButton);
  const notifications = useNotifications();
  const api = login.credentials ? sessionApi : null;
  const [searching, setSearching] = useState(false);

  const { currentId } = state.sessions;
  const current = state.sessions.list.find((s) => s.session_id === currentId) ?? null;
  const transcript = (currentId && state.transcripts[currentId]) || emptyTranscript();
  const { streaming } = transcript;
  const fileRevision = transcript.items.filter((it) => it.kind === 'tool' && it.status !== 'executing' && FILE_TOOLS.has(it.tool)).length;
  const [workspaceOpen, setWorkspaceOpen] = useState(false);
  const workspace = useWorkspaceChanges(login.credentials && currentId ? currentId : null, fileRevision);
  const connected = state.connection.status === 'open';
  const reason = blockedReason(state);
  const focusComposer = useComposerFocus(composer, streaming);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useTabTitle(state.sessions.list);
  const closeMenu = menu.close;
  const onOpened = useCallback(() => {
    closeMenu();
    focusComposer();
  }, [closeMenu, focusComposer]);

  const link = useChatConnection(login.credentials, {
    onConnecting: () => {
      // New credentials: nothing of an earlier connection's state applies.
      dispatch({ type: 'reset' });
      dispatch({ type: 'conn', status: 'connecting', error: null });
    },
    onOpen: () => dispatch({ type: 'conn', status: 'open', reconnectAt: null, attempt: 0 }),
    onFrame: (frame) => {
      outbox.onFrame(frame); // declared below; handlers run only after render
      dispatch({ type: 'frame', frame, ...stamp() });
      routing.onFrame(frame);
      notifications.onFrame(frame, state.sessions.list);
    },
    onAuthFailed: (reason) => {
      dispatch({ type: 'conn', status: 'auth_failed', error: `The server refused the connection (${reason}). Please sign in again.` });
      login.recheck(reason);
    },
    onReconnecting: (attempt, at) => {
      dispatch({ type: 'conn', status: 'reconnecting', reconnectAt: at, attempt });
      routing.onDisconnected();
    },
  });
  const outbox = useOutbox({
    state,
    dispatch,
    link,
    stamp,
    owner: login.credentials?.me.user_id ?? null,
    onRefused: (sessionId, back, why) => composer.current?.restore(sessionId, back.text, back.files, why),
  });
  const routing = useSessionRouting({
    state,
    dispatch,
    link,
    stamp,
    resume: boot.resume,
    onOpened,
    submit: outbox.submit,
    onCreateRefused: (text, files, why) => composer.current?.restore('', text, files, why),
  });
  useShortcuts({
    onStop: streaming && currentId && !menu.open ? () => link.send({ type: 'interrupt', session_id: currentId }) : null,
    onSearch: () => {
      if (!menu.open && window.matchMedia('(max-width: 760px)').matches) menu.toggle();
      requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`#${NAV_ID} input[aria-label="Search sessions"]`)?.focus());
    },
    onNewSession: () => routing.createSession(),
    onHelp: () => setShortcutsOpen(true),
  });
  useRemembered(state);
  const agent = useAgentActions({
    connected,
    sessionId: currentId,
    send: link.send,
    switchTo: routing.switchTo,
  });

  if (!login.credentials || state.connection.status === 'auth_failed')
    return (
      <SignInPage
        checking={login.status === 'checking'}
        methods={login.methods}
        error={login.credentials ? state.connection.error : login.error}
        busy={login.busy}
        onToken={login.connect}
      />
    );
  if (page === 'settings')
    return (
      <Suspense fallback={<p className="page-loading">Loading…</p>}>
        <SettingsPage me={login.credentials.me} />
      </Suspense>
    );
  if (page === 'admin')
    return (
      <Suspense fallback={<p className="page-loading">Loading…</p>}>
        <AdminPage me={login.credentials.me} />
      </Suspense>
    );

  const answerPermission = (item: PermissionItem, decision: PermissionDecision, extras: AnswerExtras = {}) => {
    if (link.send({ type: 'permission_response', request_id: item.requestId, decision, ...extras }))
      dispatch({ type: 'permission_answered', requestId: item.requestId, answer: decision });
    requestAnimationFrame(() => composer.current?.focus());
  };

  const onBannerAction = (action: BannerAction, b: Banner) => {
    switch (action) {
      case 'resume':
      case 'use_here':
        if (b.sessionId) routing.switchTo(b.sessionId);
        dispatch({ type: 'dismiss', key: b.key });
        break;
      case 'retry':
        // The last message again, with its files.
        if (b.sessionId && outbox.retry(b.sessionId)) dispatch({ type: 'dismiss', key: b.key });
        break;
      case 'new_session':
        dispatch({ type: 'dismiss', key: b.key });
        routing.createSession();
        break;
      case 'reconnect_now':
        link.reconnectNow();
        break;
    }
  };

  const stop = () => {
    if (currentId) link.send({ type: 'interrupt', session_id: currentId });
  };

  const ended = current?.status === 'terminated';
  const banners = state.banners.filter((b) => b.sessionId === null || b.sessionId === currentId);
  const openPermissions = transcript.items.filter((it): it is PermissionItem => it.kind === 'permission' && it.answer === null);

  return (
    <div className={`app${menu.open ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#message-area">
        Skip to message
      </a>
      <SessionList
        id={NAV_ID}
        className={menu.open ? 'open' : ''}
        sessions={state.sessions.list}
        currentId={currentId}
        canAct={connected}
        creating={state.sessions.creating !== null}
        onNew={routing.createSession}
        onSelect={(id) => (id === currentId ? menu.close() : routing.switchTo(id))}
        onResume={routing.switchTo}
        onDestroy={(id) => link.send({ type: 'destroy_session', session_id: id })}
        onRename={async (id, title) => void (await api?.rename(id, title))}
        onArchive={
          api
            ? async (id) => {
                await api.archive(id);
                dispatch({ type: 'session_hidden', sessionId: id });
              }
            : undefined
        }
        onDelete={
          api
            ? async (id) => {
                await api.remove(id);
                dispatch({ type: 'session_hidden', sessionId: id });
              }
            : undefined
        }
        archived={
          api && (
            <ArchivedSessions
              api={api}
              onRestored={(session) => dispatch({ type: 'session_shown', session })}
              onDeleted={(id) => dispatch({ type: 'session_hidden', sessionId: id })}
            />
          )
        }
        searching={searching}
        search={
          <SessionSearch
            api={api}
            currentId={currentId}
            onOpen={(id) => (id === currentId ? menu.close() : routing.switchTo(id))}
            onActive={setSearching}
          />
        }
      />
      {menu.open && <div className="scrim" aria-hidden="true" onClick={menu.close} />}
      <div className="main-col" inert={menu.open || undefined}>
        <TopBar
          session={current}
          conn={state.connection.status}
          menuOpen={menu.open}
          menuButton={menuButton}
          navId={NAV_ID}
          onMenu={menu.toggle}
          me={login.credentials.me}
          onSignOut={login.signOut}
          context={latestContext(transcript.items)}
          notifications={notifications}
          actions={
            current && (
              <>
                <WorkspaceButton
                  session={current}
                  changes={workspace.changes}
                  open={workspaceOpen}
                  onToggle={() => setWorkspaceOpen((o) => !o)}
                />
                <ExportMenu api={api} sessionId={current.session_id} />
              </>
            )
          }
        />
        <div className="chat-row">
          <main className="chat" id="message-area">
            <Banners
              banners={banners}
              onAction={onBannerAction}
              onDismiss={(b) => dispatch({ type: 'dismiss', key: b.key })}
              reconnectAt={state.connection.reconnectAt}
            />
            {state.sessions.creating && (
              <CreatingProgress estimatedSeconds={state.sessions.creating.estimatedSeconds} startedAt={state.sessions.creating.startedAt} />
            )}
            <MessageActionsContext.Provider value={agent.messageActions}>
              <Transcript
                sessionKey={currentId ?? ''}
                items={transcript.items}
                streaming={streaming}
                retrying={transcript.retrying}
                empty={<ChatEmpty session={current} loaded={transcript.loaded} />}
                earlier={
                  currentId
                    ? {
                        hasMore: transcript.hasMore,
                        loading: transcript.loadingEarlier,
                        onLoad: () => {
                          if (link.send({ type: 'load_history', session_id: currentId, before: transcript.firstPosition }))
                            dispatch({ type: 'earlier_requested', sessionId: currentId });
                        },
                      }
                    : undefined
                }
              />
            </MessageActionsContext.Provider>
            <PermissionDock items={openPermissions} onAnswer={answerPermission} />
            {ended && current && !banners.some((b) => b.kind === 'session_terminated') && (
              <EndedCard session={current} canAct={connected} onResume={() => routing.switchTo(current.session_id)} />
            )}
            <Composer
              ref={composer}
              sessionKey={currentId ?? ''}
              streaming={streaming}
              blockedReason={reason}
              onSend={routing.sendText}
              onStop={stop}
              queued={outbox.queued(currentId)}
              onCancelQueued={(key) => (currentId ? outbox.cancel(currentId, key) : null)}
              onShortcuts={() => setShortcutsOpen(true)}
              commands={agent.catalog.commands}
              toolbar={
                <AgentControls
                  session={current}
                  models={agent.catalog.models}
                  disabled={!connected || streaming}
                  onChange={agent.setOptions}
                />
              }
            />
          </main>
          {workspaceOpen && current && (
            <WorkspacePanel session={current} workspace={workspace} revision={fileRevision} onClose={() => setWorkspaceOpen(false)} />
          )}
        </div>
      </div>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
    </div>
  );
}
