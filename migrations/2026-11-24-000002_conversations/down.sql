DROP TABLE articles;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE visitors;
DROP TYPE message_sender;
