// The chat app: owns the connection and the state, and wires the components.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ServerFrame, SessionSummary } from '../protocol/messages';
import type { BootParams } from './boot';
import { type BannerAction, Banners } from './components/Banners';
import { Composer, type ComposerHandle } from './components/Composer';
import { ConnectScreen } from './components/ConnectScreen';
import { Logo } from './components/Logo';
import { PermissionDock } from './components/PermissionCard';
import { SessionList } from './components/SessionList';
import { Transcript } from './components/Transcript';
import { ChatConnection, type ConnEvent, type OutgoingMessage } from './connection';
import { rememberTitle, sessionTitle, statusHint, statusLabel, useNow } from './format';
import { CURRENT_STORAGE, KEY_STORAGE, tabStorage } from './storage';
import { type Banner, emptyTranscript, initialState, type PermissionDecision, type PermissionItem, reducer } from './store';

function CreatingProgress({ estimatedSeconds, startedAt }: { estimatedSeconds: number; startedAt: number }) {
  const now = useNow(200);
  const elapsed = (now - startedAt) / 1000;
  const est = Math.max(1, estimatedSeconds || 2);
  // Eases towards 95% so a slow start never looks finished.
  const pct = Math.min(95, Math.round((1 - Math.exp(-elapsed / est)) * 100 * 1.1));
  return (
    <div className="creating">
      <div className="creating-text">
        <span className="spinner" aria-hidden="true" />
        Starting a Claude process{estimatedSeconds > 0 ? ` — about ${Math.ceil(estimatedSeconds)} s` : '…'}
      </div>
      <div className="progress" role="progressbar" aria-label="Starting session" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function App({ boot }: { boot: BootParams }) {
  const [apiKey, setApiKey] = useState<string | null>(() => tabStorage()?.getItem(KEY_STORAGE) ?? null);
  const [state, dispatch] = useReducer(reducer, initialState);
  const [menuOpen, setMenuOpen] = useState(false);
  const conn = useRef<ChatConnection | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const pendingResume = useRef<string | null>(boot.resume);
  const pendingText = useRef<string | null>(null);
  const restartSeen = useRef(false);
  const composer = useRef<ComposerHandle>(null);
  /** Focus the message box as soon as it is enabled (after a switch or a new session). */
  const wantFocus = useRef(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  const send = useCallback((msg: OutgoingMessage) => conn.current?.send(msg) ?? false, []);

  const switchTo = useCallback(
    (id: string, incremental = true) => {
      const t = stateRef.current.transcripts[id];
      // A terminated session has no live event buffer, and after a server restart its
      // event ids start over: ask for the full history rather than events after ours.
      const ended = stateRef.current.sessions.find((s) => s.session_id === id)?.status === 'terminated';
      const after = incremental && !ended && t?.loaded ? t.lastEventId : undefined;
      if (!send({ type: 'switch_session', session_id: id, ...(after !== undefined ? { after } : {}) })) return;
      dispatch({ type: 'select', sessionId: id });
      setMenuOpen(false);
      wantFocus.current = true;
    },
    [send],
  );

  const onSessionList = useCallback(
    (sessions: SessionSummary[]) => {
      let incremental = true;
      if (restartSeen.current) {
        restartSeen.current = false;
        incremental = false;
        dispatch({ type: 'forget_event_ids' });
      }
      const resume = pendingResume.current;
      pendingResume.current = null;
      const target = resume ?? stateRef.current.currentId ?? tabStorage()?.getItem(CURRENT_STORAGE) ?? null;
      if (!target) return;
      const summary = sessions.find((s) => s.session_id === target);
      if (!summary) {
        if (resume)
          dispatch({
            type: 'frame',
            now: Date.now(),
            frame: { type: 'error', seq: 1, code: 'session_not_found', message: 'The session to resume was not found.' },
          });
        dispatch({ type: 'select', sessionId: null });
        return;
      }
      if (resume || summary.status !== 'terminated') switchTo(target, incremental && !resume);
      else dispatch({ type: 'select', sessionId: target }); // shown as ended, with Resume
    },
    [switchTo],
  );

  const onFrame = useCallback(
    (f: ServerFrame) => {
      dispatch({ type: 'frame', frame: f, now: Date.now() });
      switch (f.type) {
        case 'session_list':
          onSessionList(f.sessions);
          // For measuring: page start to a connected chat that shows its sessions.
          if (performance.getEntriesByName('csp:ready').length === 0) performance.mark('csp:ready');
          break;
        case 'server_shutting_down':
          restartSeen.current = true;
          break;
        case 'session_ready': {
          const text = pendingText.current;
          pendingText.current = null;
          if (text && send({ type: 'user_message', session_id: f.session_id, text }))
            dispatch({ type: 'local_send', sessionId: f.session_id, text });
          wantFocus.current = true;
          break;
        }
        case 'error':
          if (f.code === 'capacity_exceeded' || f.code === 'internal_error') pendingText.current = null;
          break;
        default:
          break;
      }
    },
    [onSessionList, send],
  );

  const onConnEvent = useRef<(e: ConnEvent) => void>(() => {});
  onConnEvent.current = (e: ConnEvent) => {
    switch (e.type) {
      case 'open':
        dispatch({ type: 'conn', conn: 'open', reconnectAt: null, attempt: 0 });
        break;
      case 'frame':
        onFrame(e.frame);
        break;
      case 'auth_failed':
        tabStorage()?.removeItem(KEY_STORAGE);
        dispatch({
          type: 'conn',
          conn: 'auth_failed',
          error: `The server did not accept this key (${e.reason}). Check the key printed when the server started.`,
        });
        break;
      case 'reconnecting':
        dispatch({ type: 'conn', conn: 'reconnecting', reconnectAt: e.at, attempt: e.attempt });
        break;
    }
  };

  useEffect(() => {
    if (!apiKey) return;
    const c = new ChatConnection(apiKey, (e) => onConnEvent.current(e));
    conn.current = c;
    dispatch({ type: 'conn', conn: 'connecting', error: null });
    c.connect();
    // Back online: do not wait for the backoff timer.
    const online = () => c.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      c.close();
      if (conn.current === c) conn.current = null;
    };
  }, [apiKey]);

  const connect = (key: string) => {
    tabStorage()?.setItem(KEY_STORAGE, key);
    dispatch({ type: 'reset' });
    if (key === apiKey) {
      // Same key again after a failure: the effect will not re-run by itself.
      setApiKey(null);
      setTimeout(() => setApiKey(key), 0);
    } else setApiKey(key);
  };

  const disconnect = () => {
    tabStorage()?.removeItem(KEY_STORAGE);
    conn.current?.close();
    dispatch({ type: 'reset' });
    setApiKey(null);
  };

  // Remember the open session for reloads.
  useEffect(() => {
    if (state.currentId) tabStorage()?.setItem(CURRENT_STORAGE, state.currentId);
  }, [state.currentId]);

  // Titles from first messages.
  useEffect(() => {
    for (const [id, t] of Object.entries(state.transcripts)) {
      const first = t.items.find((it) => it.kind === 'user');
      if (first?.kind === 'user') rememberTitle(id, first.text);
    }
  }, [state.transcripts]);

  const current = state.currentId ? (state.sessions.find((s) => s.session_id === state.currentId) ?? null) : null;
  const transcript = (state.currentId && state.transcripts[state.currentId]) || emptyTranscript();
  const streaming = transcript.streaming;
  const openPermissions = transcript.items.filter((it): it is PermissionItem => it.kind === 'permission' && it.answer === null);
  const connected = state.conn === 'open';

  // Focus follows the turn: Stop while it streams, the message box after.
  const wasStreaming = useRef(false);
  useEffect(() => {
    if (streaming === wasStreaming.current) return;
    wasStreaming.current = streaming;
    const a = document.activeElement;
    const idle = !a || a === document.body;
    if (streaming && (idle || composer.current?.hasFocus())) composer.current?.focusStop();
    if (!streaming && (idle || composer.current?.hasFocus())) wantFocus.current = true;
  }, [streaming]);

  const disabledReasonRef = useRef<string | null>(null);
  useEffect(() => {
    if (wantFocus.current && disabledReasonRef.current === null) {
      wantFocus.current = false;
      composer.current?.focus();
    }
  });

  const createSession = useCallback(() => {
    if (send({ type: 'create_session' })) {
      dispatch({ type: 'creating_requested' });
      setMenuOpen(false);
    }
  }, [send]);

  const sendText = (text: string): boolean => {
    const id = stateRef.current.currentId;
    if (!id) {
      pendingText.current = text;
      createSession();
      return conn.current?.isOpen ?? false;
    }
    if (!send({ type: 'user_message', session_id: id, text })) return false;
    dispatch({ type: 'local_send', sessionId: id, text });
    return true;
  };

  const stop = () => {
    if (state.currentId) send({ type: 'interrupt', session_id: state.currentId });
  };

  const answerPermission = (item: PermissionItem, decision: PermissionDecision) => {
    if (send({ type: 'permission_response', request_id: item.requestId, decision }))
      dispatch({ type: 'permission_answered', requestId: item.requestId, answer: decision });
    requestAnimationFrame(() => composer.current?.focusStop());
  };

  const onBannerAction = (action: BannerAction, b: Banner) => {
    switch (action) {
      case 'resume':
      case 'use_here':
        if (b.sessionId) switchTo(b.sessionId, true);
        dispatch({ type: 'dismiss', key: b.key });
        break;
      case 'retry': {
        const sid = b.sessionId;
        const text = sid ? stateRef.current.transcripts[sid]?.lastUserText : null;
        if (sid && text && send({ type: 'user_message', session_id: sid, text })) {
          dispatch({ type: 'dismiss', key: b.key });
          dispatch({ type: 'local_send', sessionId: sid, text });
        }
        break;
      }
      case 'new_session':
        dispatch({ type: 'dismiss', key: b.key });
        createSession();
        break;
      case 'reconnect_now':
        conn.current?.reconnectNow();
        break;
    }
  };

  // Escape closes the phone menu.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setMenuOpen(false);
        // After the re-render that makes the page behind the menu interactive again.
        setTimeout(() => menuButton.current?.focus(), 0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  useEffect(() => {
    if (menuOpen) document.querySelector<HTMLElement>('#sessions-nav button:not([disabled])')?.focus();
  }, [menuOpen]);

  if (!apiKey || state.conn === 'auth_failed') return <ConnectScreen error={state.connError} busy={false} onConnect={connect} />;

  const ended = current?.status === 'terminated';
  let disabledReason: string | null = null;
  if (!connected) disabledReason = state.conn === 'reconnecting' ? 'Reconnecting to the server…' : 'Connecting…';
  else if (state.creating) disabledReason = 'Starting a session…';
  else if (streaming) disabledReason = 'Claude is answering — press Stop to interrupt';
  else if (ended && !current?.is_resumable) disabledReason = 'This session has ended and cannot be resumed';
  disabledReasonRef.current = disabledReason;

  const banners = state.banners.filter((b) => b.sessionId === null || b.sessionId === state.currentId);
  const connLabel = connected ? 'Connected' : state.conn === 'reconnecting' ? 'Reconnecting' : 'Connecting';

  return (
    <div className={`app${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#message-area">
        Skip to message
      </a>
      <SessionList
        id="sessions-nav"
        className={menuOpen ? 'open' : ''}
        sessions={state.sessions}
        currentId={state.currentId}
        canAct={connected}
        creating={state.creating !== null}
        onNew={createSession}
        onSelect={(id) => (id === state.currentId ? setMenuOpen(false) : switchTo(id, true))}
        onResume={(id) => switchTo(id, true)}
        onDestroy={(id) => send({ type: 'destroy_session', session_id: id })}
      />
      {menuOpen && <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />}
      <div className="main-col" inert={menuOpen || undefined}>
        <header className="topbar">
          <button
            ref={menuButton}
            type="button"
            className="icon-btn menu-btn"
            aria-label="Open sessions"
            aria-expanded={menuOpen}
            aria-controls="sessions-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
              <path d="M2.5 4h11M2.5 8h11M2.5 12h11" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
          </button>
          <div className="topbar-title">
            <Logo size={22} />
            <h1>{current ? sessionTitle(current) : 'Claude SDK Pattern'}</h1>
            {current && (
              <span className={`badge badge-${current.status}`} title={statusHint(current)}>
                {statusLabel(current)}
              </span>
            )}
          </div>
          <div className="topbar-right">
            <span className={`conn-pill conn-${state.conn}`}>
              <span className="dot" aria-hidden="true" />
              {connLabel}
            </span>
            <button type="button" className="btn btn-ghost btn-small" onClick={disconnect}>
              Disconnect
            </button>
          </div>
        </header>
        <main className="chat" id="message-area">
          <Banners
            banners={banners}
            onAction={onBannerAction}
            onDismiss={(b) => dispatch({ type: 'dismiss', key: b.key })}
            reconnectAt={state.reconnectAt}
          />
          {state.creating && <CreatingProgress estimatedSeconds={state.creating.estimatedSeconds} startedAt={state.creating.startedAt} />}
          <Transcript
            items={transcript.items}
            streaming={streaming}
            retrying={transcript.retrying}
            empty={
              current ? (
                ended ? null : (
                  <div className="empty">
                    <p className="empty-title">{transcript.loaded ? 'New conversation' : 'Loading…'}</p>
                    {transcript.loaded && <p>Ask anything. Claude can run tools in the project folder.</p>}
                  </div>
                )
              ) : (
                <div className="empty">
                  <Logo size={44} />
                  <p className="empty-title">What shall we work on?</p>
                  <p>Type a message to start a new session, or pick one from the list.</p>
                </div>
              )
            }
          />
          <PermissionDock items={openPermissions} onAnswer={answerPermission} />
          {ended && current && !banners.some((b) => b.kind === 'session_terminated') && (
            <div className="ended-card">
              <span>
                This session has ended
                {current.is_resumable ? '. Resume it to continue where you left off.' : ' and cannot be resumed.'}
              </span>
              {current.is_resumable && (
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  disabled={!connected}
                  onClick={() => switchTo(current.session_id, true)}
                >
                  Resume
                </button>
              )}
            </div>
          )}
          <Composer ref={composer} streaming={streaming} disabledReason={disabledReason} onSend={sendText} onStop={stop} />
        </main>
      </div>
    </div>
  );
}
