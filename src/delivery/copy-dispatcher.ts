import type { DeliveryConfig } from '../content/index.ts';
import { htmlValues, readerFieldValues } from '../render/index.ts';
import { classifySmtpError } from './delivery-error.ts';
import { editionMessageId } from './edition-message-id.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import { afterFailure } from './retry-policy.ts';
import type { SendControl } from './send-control.ts';
import type { SendEditionOptions } from './send-edition-options.ts';
import type { ReadyCopy, SendLoopState } from './send-loop-state.ts';
import type { EditionKey } from './send-store.ts';

export interface CopyDispatcher {
  /** Builds the reader's copy and hands it to the transport; its outcome goes to the recorder. */
  start(copy: ReadyCopy): void;
}

/**
 * Hands copies to SMTP. Each copy gets its reader's values (address, name, signed unsubscribe and
 * preference links, envelope sender) encoded into the edition's prebuilt MIME, and goes to the transport
 * (the SMTP pool, which signs with DKIM when configured). The answer becomes an outcome: `sent`, or what
 * the retry policy says of the refusal (a policy refusal is also counted by the pause control).
 *
 * Buffers of accepted copies are reused for the next copies (at most `handoff` of them). Only an accepted
 * copy's buffer comes back: the server answers the final dot after every byte before it has arrived, so
 * the client and the socket are done with it. A failed copy's buffer is left to the GC.
 *
 * @example
 * const dispatcher = createCopyDispatcher({ options, key, state, recorder, control, handoff: 8, delivery: config.delivery });
 * dispatcher.start(state.ready.shift()!);
 */
export function createCopyDispatcher(deps: {
  options: Pick<SendEditionOptions, 'secret' | 'transport' | 'unsubscribeUrlFor' | 'manageUrlFor' | 'returnPathFor' | 'unsubscribeMailtoFor'>;
  key: EditionKey;
  state: SendLoopState;
  recorder: OutcomeRecorder;
  control: SendControl;
  handoff: number;
  delivery: DeliveryConfig;
}): CopyDispatcher {
  const { options, key, state, recorder, control, handoff, delivery } = deps;
  const spare: Buffer[] = [];

  return {
    start(copy) {
      const message = copy.message;
      state.inFlight += 1;
      state.dispatched += 1;
      const messageId = editionMessageId(options.secret, key, copy.subscriberId, message.domain);
      let raw: Buffer;
      let slab: Buffer;
      let envelopeFrom = message.envelopeFrom;
      try {
        if (options.returnPathFor) envelopeFrom = options.returnPathFor(copy.subscriberId, key.newsletter, key.date);
        const mailto = options.unsubscribeMailtoFor?.(copy.subscriberId, key.newsletter);
        const values = readerFieldValues({
          email: copy.email,
          firstName: copy.name,
          unsubscribeUrl: options.unsubscribeUrlFor(copy.subscriberId, key.newsletter),
          ...(options.manageUrlFor ? { manageUrl: options.manageUrlFor(copy.subscriberId) } : {}),
        });
        raw = message.buildBytes({
          to: { address: copy.email, name: copy.name },
          messageId,
          unsubscribeUrl: values.unsubscribeUrl,
          ...(mailto !== undefined ? { unsubscribeMailto: mailto } : {}),
          htmlValues: htmlValues(values),
          textValues: values,
        }, spare.pop());
        slab = Buffer.from(raw.buffer, raw.byteOffset, raw.buffer.byteLength - raw.byteOffset);
      } catch (error) {
        // A copy that cannot be built safely (an address that would break a header) is never sent.
        recorder.add({ subscriberId: copy.subscriberId, state: 'failed', reply: (error as Error).message, messageId }, 'failed');
        return;
      }
      state.onTransport += 1;
      options.transport.sendRaw({ from: envelopeFrom, to: copy.email, raw, messageId }).then(
        (info) => {
          state.onTransport -= 1;
          if (spare.length < handoff) spare.push(slab);
          recorder.add({ subscriberId: copy.subscriberId, state: 'sent', reply: info.response, messageId }, 'sent');
        },
        (error: unknown) => {
          state.onTransport -= 1;
          const failure = classifySmtpError(error);
          const next = afterFailure(failure, copy.tries, delivery, Boolean(control.paused));
          if (next.policy) control.policyRefusal(failure.response);
          recorder.add({
            subscriberId: copy.subscriberId,
            reply: failure.response,
            messageId,
            state: next.state,
            ...(next.bounce ? { bounce: true } : {}),
            ...(next.retryInSeconds !== undefined ? { retryInSeconds: next.retryInSeconds } : {}),
          }, next.final);
        },
      );
    },
  };
}
