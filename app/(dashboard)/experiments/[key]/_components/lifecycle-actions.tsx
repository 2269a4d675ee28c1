"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiRequestError } from "@/components/hooks/fetch-json";
import { experimentKeys, useTransitionExperiment } from "@/components/hooks/use-experiments";
import type { ExperimentDto } from "@/lib/api/experiments";
import { availableActions, DECISION_LABELS, DECISIONS, TRANSITIONS, transitionRequestSchema, type Decision, type TransitionAction } from "@/lib/experiments/lifecycle";
import styles from "./experiment.module.css";

/** What each action does, said before it is done. */
const CONSEQUENCES: Readonly<Record<TransitionAction, string>> = {
  start:
    "Users who match the targeting are assigned as soon as the recommendation service asks for them. From now on the variant keys, the control and the layer are fixed; names, weights, traffic and targeting can still change.",
  pause: "Nobody new is assigned, and nobody is served the experiment until you resume it. Users already assigned keep their variant.",
  resume: "Assignment continues; users already assigned keep their variant.",
  stop: "Stopping is final: nobody is assigned or served the experiment any more. Record what was decided, for whoever reads this later.",
  archive: "Archived experiments stay readable here but cannot be started or edited again.",
};

const CONFIRM_LABELS: Readonly<Record<TransitionAction, string>> = {
  start: "Start experiment",
  pause: "Pause experiment",
  resume: "Resume experiment",
  stop: "Stop and record the decision",
  archive: "Archive experiment",
};

const BUTTON_STYLES: Readonly<Record<TransitionAction, string>> = {
  start: "button button--primary",
  pause: "button",
  resume: "button button--primary",
  stop: "button button--danger",
  archive: "button",
};

/**
 * A modal confirmation (native <dialog>: focus stays inside, Escape cancels, focus returns to the
 * button that opened it). Stopping asks for the decision; the version is the one the page showed
 * when the dialog opened, so a change made meanwhile by someone else is refused (409), not overridden.
 */
function TransitionDialog({ action, experiment, onClose }: { action: TransitionAction; experiment: ExperimentDto; onClose: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const id = useId();
  const transition = useTransitionExperiment(experiment.key);
  const [version] = useState(experiment.version);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [decisionVariant, setDecisionVariant] = useState(experiment.variants.find((v) => !v.isControl)?.key ?? experiment.variants[0]?.key ?? "");
  const [note, setNote] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const queryClient = useQueryClient();
  const close = () => dialogRef.current?.close();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      action,
      version,
      ...(action === "stop" && decision ? { decision } : {}),
      ...(action === "stop" && decision === "ship" ? { decisionVariant } : {}),
      ...(action === "stop" && note.trim() ? { note: note.trim() } : {}),
    };
    const parsed = transitionRequestSchema.safeParse(body);
    if (!parsed.success) {
      setProblems(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? "form"), i.message])));
      return;
    }
    setProblems({});
    transition.mutate(parsed.data, { onSuccess: close });
  };

  const error = transition.error;
  const conflict = error instanceof ApiRequestError && error.status === 409;
  const title = `${TRANSITIONS[action].label} “${experiment.name}”?`;
  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-what`} onClose={onClose} data-testid="transition-dialog">
      <form onSubmit={submit} className="dialog__body" noValidate>
        <h2 id={`${id}-title`} className="dialog__title">
          {title}
        </h2>
        <p id={`${id}-what`} className="dialog__text">
          {CONSEQUENCES[action]}
        </p>

        {action === "stop" ? (
          <>
            <fieldset className={styles.decision} aria-describedby={problems.decision ? `${id}-decision-error` : undefined}>
              <legend className="field__label">Decision</legend>
              {DECISIONS.map((d) => (
                <label key={d} className={styles.radio}>
                  <input
                    type="radio"
                    name="decision"
                    value={d}
                    checked={decision === d}
                    onChange={() => {
                      setDecision(d);
                      setProblems({});
                    }}
                  />
                  <span>
                    {DECISION_LABELS[d]}
                    <span className="field__hint">
                      {d === "ship" ? "A variant won: roll it out to everyone." : d === "rollback" ? "Keep the control: the change goes away." : "No clear answer; nothing changes."}
                    </span>
                  </span>
                </label>
              ))}
              {problems.decision ? (
                <p className="field__error" id={`${id}-decision-error`}>
                  Choose a decision: ship, roll back or inconclusive.
                </p>
              ) : null}
            </fieldset>
            {decision === "ship" ? (
              <div className="field">
                <label className="field__label" htmlFor={`${id}-variant`}>
                  Variant to ship
                </label>
                <select id={`${id}-variant`} className="input" value={decisionVariant} onChange={(e) => setDecisionVariant(e.target.value)}>
                  {experiment.variants.map((v) => (
                    <option key={v.key} value={v.key}>
                      {v.name} ({v.key}){v.isControl ? ", the control" : ""}
                    </option>
                  ))}
                </select>
                {problems.decisionVariant ? <p className="field__error">{problems.decisionVariant}</p> : null}
              </div>
            ) : null}
            <div className="field">
              <label className="field__label" htmlFor={`${id}-note`}>
                Note <span className="muted">(optional)</span>
              </label>
              <textarea id={`${id}-note`} className="input" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What the results showed, and why this decision." />
            </div>
          </>
        ) : null}

        {error ? (
          <div className="form-alert form-alert--error" role="alert" data-testid="transition-error">
            <p className="form-alert__title">{conflict ? "Not done: the experiment changed meanwhile." : "Not done."}</p>
            <p className="form-alert__message">{error.message}</p>
          </div>
        ) : null}

        <div className="dialog__actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              // After a conflict, show what changed at once rather than at the next refresh.
              if (conflict) void queryClient.invalidateQueries({ queryKey: experimentKeys.detail(experiment.key) });
              close();
            }}>
            {conflict ? "Close and reload" : "Cancel"}
          </button>
          {conflict ? null : (
            <button type="submit" className={BUTTON_STYLES[action]} disabled={transition.isPending}>
              {transition.isPending ? "Working…" : CONFIRM_LABELS[action]}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}

/** The lifecycle buttons open from the current status, each behind a confirmation. Editors only. */
export function LifecycleActions({ experiment }: { experiment: ExperimentDto }) {
  const [pending, setPending] = useState<TransitionAction | null>(null);
  const actions = availableActions(experiment.status);
  if (actions.length === 0) return null;
  return (
    <div className={styles.lifecycle} role="group" aria-label="Lifecycle">
      {actions.map((action) => (
        <button key={action} type="button" className={BUTTON_STYLES[action]} onClick={() => setPending(action)} data-action={action}>
          {TRANSITIONS[action].label}
        </button>
      ))}
      {pending ? <TransitionDialog key={pending} action={pending} experiment={experiment} onClose={() => setPending(null)} /> : null}
    </div>
  );
}
