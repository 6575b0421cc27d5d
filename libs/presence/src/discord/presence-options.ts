import type { User } from 'discord.js';
import { StringOption, UserOption } from 'necord';
import { MAX_DAW_LENGTH, MAX_STATUS_MESSAGE_LENGTH, PRESENCE_STATUSES } from '../domain/presence';
import { STATUS_LABELS } from './presence-replies';

// What Discord shows and enforces; handlers check the values again with the domain's rules, since
// a hand-made request can bypass Discord's checks.

export class SetPresenceOptions {
  @StringOption({
    name: 'status',
    description: 'What you are up to',
    required: true,
    choices: PRESENCE_STATUSES.map((status) => ({ name: STATUS_LABELS[status], value: status })),
  })
  status: string;

  @StringOption({ name: 'message', description: `A short note for your followers (at most ${MAX_STATUS_MESSAGE_LENGTH} characters)`, required: false, max_length: MAX_STATUS_MESSAGE_LENGTH })
  message: string | null;

  @StringOption({ name: 'daw', description: 'The DAW you are working in', required: false, max_length: MAX_DAW_LENGTH })
  daw: string | null;
}

export class ShowPresenceOptions {
  @UserOption({ name: 'user', description: 'Whose presence to show', required: true })
  user: User;
}

export class FollowOptions {
  @UserOption({ name: 'user', description: 'Whose presence changes you want to receive', required: true })
  user: User;
}

export class UnfollowOptions {
  @UserOption({ name: 'user', description: 'Whose presence changes you no longer want', required: true })
  user: User;
}
