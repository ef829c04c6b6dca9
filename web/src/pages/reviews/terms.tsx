/** Terms of a review window: each version with its SHA-256, read and signed; the developer adds versions to a draft. */
import { useState } from 'react';
import { api } from '../../api';
import { ApiForm, Field } from '../../components/form';
import type { Organisation } from '../../types';
import { useAction, useFields } from '../../ui';
import { type ReviewWindow, words } from './types';

function TermsForm({ base, onAdded }: { base: string; onAdded: () => void }) {
  const [f, setF, set] = useFields({
    audience: 'government',
    text: '',
    confidentiality: 'Findings stay between the developer, the reviewers and the coordinator until published.',
    categories: 'cyber_knowledge, prompt_injection, ctf',
    retentionDays: '365',
    onWithdrawal: 'keep',
    tlpDefault: 'AMBER',
    partnersAllowed: true,
  });
  const act = useAction(async () => {
    await api('POST', `${base}/terms`, {
      audience: f.audience,
      scope: {
        categories: f.categories
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean),
        partnersAllowed: f.partnersAllowed,
      },
      confidentiality: f.confidentiality,
      retentionDays: Number(f.retentionDays),
      onWithdrawal: f.onWithdrawal,
      tlpDefault: f.tlpDefault,
      text: f.text,
    });
    setF({ ...f, text: '' });
    onAdded();
  });
  const e = act.error;
  return (
    <ApiForm title="Add a version of the terms" error={e} onSubmit={() => void act.run()}>
      <Field label="Audience" error={e} path="audience">
        {(p) => (
          <select {...p} value={f.audience} onChange={set('audience')}>
            <option value="government">government</option>
            <option value="trusted_partner">trusted partner</option>
          </select>
        )}
      </Field>
      <Field label="Terms text" error={e} path="text" hint="Signers consent to the SHA-256 of this exact text.">
        {(p) => <textarea {...p} rows={5} value={f.text} onChange={set('text')} />}
      </Field>
      <Field label="Confidentiality" error={e} path="confidentiality">
        {(p) => <input {...p} value={f.confidentiality} onChange={set('confidentiality')} />}
      </Field>
      <Field label="Categories in scope" error={e} path="scope.categories">
        {(p) => <input {...p} value={f.categories} onChange={set('categories')} />}
      </Field>
      <Field label="Retention (days)" error={e} path="retentionDays">
        {(p) => <input {...p} type="number" min={0} value={f.retentionDays} onChange={set('retentionDays')} />}
      </Field>
      <Field label="On withdrawal" error={e} path="onWithdrawal">
        {(p) => (
          <select {...p} value={f.onWithdrawal} onChange={set('onWithdrawal')}>
            <option value="keep">keep for the retention period</option>
            <option value="purge">purge at once</option>
          </select>
        )}
      </Field>
      <p>
        <label>
          <input
            type="checkbox"
            checked={f.partnersAllowed}
            onChange={(ev) => setF({ ...f, partnersAllowed: ev.target.checked })}
          />{' '}
          Trusted partners may be proposed
        </label>
      </p>
      <button type="submit" disabled={act.busy}>
        Add terms
      </button>
    </ApiForm>
  );
}

export function TermsSection({
  w,
  base,
  myOrgId,
  reviewer,
  orgs,
  sign,
  onChanged,
}: {
  w: ReviewWindow;
  base: string;
  myOrgId: string | undefined;
  reviewer: boolean;
  orgs: Map<string, Organisation>;
  sign: (termsId: string, sha256: string) => void;
  onChanged: () => void;
}) {
  const [showTerms, setShowTerms] = useState<string | null>(null);
  const developer = w.myRole === 'developer';
  return (
    <section aria-labelledby="terms">
      <h2 id="terms">Terms and consents</h2>
      {w.terms.length === 0 && <p>No terms yet.</p>}
      <ul className="plain">
        {w.terms.map((t) => {
          const signers = w.consents.filter((c) => c.termsId === t.id);
          const signedByMe = signers.some((c) => c.signerOrgId === myOrgId);
          const canSign =
            !signedByMe &&
            ((developer && t.audience === 'government') ||
              (!developer && t.audience === 'trusted_partner' && reviewer));
          return (
            <li key={t.id}>
              <p>
                {words(t.audience)} terms v{t.version} (retention {t.retentionDays} days; on withdrawal:{' '}
                {t.onWithdrawal}; default {t.tlpDefault}); SHA-256 <code className="hash">{t.textSha256}</code>; signed
                by {signers.map((c) => orgs.get(c.signerOrgId)?.name ?? c.party).join(', ') || 'nobody yet'}
              </p>
              <button
                type="button"
                aria-expanded={showTerms === t.id}
                onClick={() => setShowTerms(showTerms === t.id ? null : t.id)}
              >
                {showTerms === t.id ? 'Hide' : 'Read'} the text of v{t.version}
              </button>{' '}
              {canSign && (
                <button type="button" onClick={() => sign(t.id, t.textSha256)}>
                  Sign {words(t.audience)} terms v{t.version}
                </button>
              )}
              {showTerms === t.id && <pre className="terms-text">{t.text}</pre>}
            </li>
          );
        })}
      </ul>
      {developer && w.state === 'draft' && <TermsForm base={base} onAdded={onChanged} />}
    </section>
  );
}
