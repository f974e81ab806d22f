import type { FlowMessage } from '@keyway/flow-types';
import { Alert } from '../ui';

/** A flow's messages (ERROR read out at once, INFO politely), with the attempts left where the API counts them. */
export function FlowMessages({ messages }: { messages: readonly FlowMessage[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <div className="space-y-2">
      {messages.map((message, index) => (
        <Alert key={`${message.messageId}-${index}`} tone={message.type === 'ERROR' ? 'error' : 'info'}>
          {describe(message)}
        </Alert>
      ))}
    </div>
  );
}

function describe(message: FlowMessage): string {
  const remaining = message.context?.find((entry) => entry.key === 'remainingAttempts')?.value;
  if (remaining === undefined) return message.message;
  const count = Number(remaining);
  return `${message.message} ${count === 1 ? '1 attempt left.' : `${count} attempts left.`}`;
}
