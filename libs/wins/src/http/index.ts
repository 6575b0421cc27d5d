/** The wins REST controllers, registered by `WinsModule`. */
export const winsControllers = [];
